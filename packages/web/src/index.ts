// @openssm/web: the browser console. Built out by the console issue (#8).

export const WEB_PACKAGE = '@openssm/web';
