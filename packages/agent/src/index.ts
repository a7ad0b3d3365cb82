// @openssm/agent: the node agent. Built out by the sessions issue (#3).

export const AGENT_PACKAGE = '@openssm/agent';
