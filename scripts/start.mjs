// `npm start`: will start the embedded demo (server on 127.0.0.1 with SQLite in ./.openssm and a
// local agent). The server and agent arrive with the interactive-sessions issue (#3); until then
// this says so plainly instead of pretending.
console.error(
  [
    'OpenSSM: the demo server and agent are not built yet.',
    'What exists today is the wire core (packages/protocol, packages/channel); run `npm test`.',
    'Progress: issue #3 (interactive sessions end to end) brings `npm start`.',
  ].join('\n'),
);
process.exit(1);
