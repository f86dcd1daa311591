// A real SMTP server for the alert email tests, run as its own process (as a mail server
// would be): `smtp-server` on 127.0.0.1, a random port. It prints one JSON line when listening
// ({"listening": port}) and one per message received ({"from", "to", "user", "raw"}).
// Arguments: --user NAME --password WORD (then AUTH is required), --refuse ADDRESS (answer
// 550 for that recipient). STARTTLS is off: the test has no certificate to trust.
import { SMTPServer } from 'smtp-server';

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const user = option('--user');
const password = option('--password');
const refuse = option('--refuse');

const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

const server = new SMTPServer({
  disabledCommands: user === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
  authOptional: user === undefined,
  allowInsecureAuth: true,
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === user && auth.password === password) callback(null, { user: auth.username });
    else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
  },
  onRcptTo(address, _session, callback) {
    if (refuse !== undefined && address.address === refuse) callback(Object.assign(new Error(`No such mailbox: ${address.address}`), { responseCode: 550 }));
    else callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      print({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        to: session.envelope.rcptTo.map((recipient) => recipient.address),
        user: session.user ?? null,
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => print({ listening: server.server.address().port }));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
