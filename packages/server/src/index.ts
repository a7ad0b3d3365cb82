// @openssm/server: the control plane and message gateway. Built out by the sessions issue (#3).

export const SERVER_PACKAGE = '@openssm/server';
