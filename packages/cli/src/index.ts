// @openssm/cli: the operator CLI and session-manager-plugin entry. Built out by the sessions issue (#3).

export const CLI_PACKAGE = '@openssm/cli';
