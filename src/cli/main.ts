/** The `voicebill` command line: parses arguments, runs one command, sets the exit status. */
import { Command, Option, CommanderError } from 'commander';
import { InputError } from '../formats/input-error.js';
import { invoiceCommand, INVOICE_FORMATS, type InvoiceOptions } from './commands/invoice.js';
import { rateCommand } from './commands/rate.js';
import type { ServeOptions } from './commands/serve.js';
import { usageCommand, type UsageOptions } from './commands/usage.js';
import { EXIT_BAD_INPUT, type ExitStatus } from './exit-status.js';
import { IMPORTER_NAMES, type BillingInputOptions } from './billing-inputs.js';

const EXAMPLE_INPUTS = '--tariff examples/tariff.yaml --accounts examples/accounts.yaml --calls examples/calls.csv';

function withBillingInputs(command: Command): Command {
  return command
    .requiredOption('--tariff <file>', 'tariff: plans, bundles, carrier rates, surcharges, number prices, taxes (YAML or JSON)')
    .requiredOption('--accounts <file>', 'accounts: plan, time zone, billing anchor, country, bundles, numbers (YAML or JSON)')
    .requiredOption('--calls <file>', 'call records: generic CSV with a header or JSON Lines (.jsonl), or a platform export with --from')
    .addOption(new Option('--from <platform>', 'read --calls as this platform\'s export').choices(IMPORTER_NAMES))
    .option('--timezone <zone>', 'IANA time zone of timestamps without offset (asterisk, freeswitch)')
    .option('--account <id>', 'with --from: bill every imported call to this account (default: the account renting the platform number)');
}

async function run(action: () => Promise<ExitStatus>): Promise<void> {
  process.exitCode = await action();
}

const program = new Command()
  .name('voicebill')
  .description('Exact billing for AI voice-call platforms: rate call records, bill minutes, bundles, pay-as-you-go, carrier costs and rented numbers.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage and an example)')
  .exitOverride();

withBillingInputs(program.command('rate'))
  .description('Rate every call record: billable, AI and carrier seconds, costs, and how each call drew on included minutes, bundles and pay-as-you-go. Prints JSON Lines in input order.')
  .addHelpText(
    'after',
    `
Example:
  $ npx voicebill rate ${EXAMPLE_INPUTS} | head -3

Exit status: 0 all records rated; 1 a file or option is wrong; 3 some records were rejected
(each prints {"line", "call_id", "error"}; the others are still rated).`,
  )
  .action((options: BillingInputOptions) => run(() => rateCommand(options)));

withBillingInputs(program.command('invoice'))
  .description('Invoice every account for its billing period that starts in the given month.')
  .requiredOption('--period <YYYY-MM>', 'the month the billing periods start in')
  .addOption(new Option('--format <format>', 'json for programs; text, csv or pdf for people').choices(INVOICE_FORMATS).default('json'))
  .option('--output <file>', 'write to this file instead of stdout (needed for pdf on a terminal)')
  .addHelpText(
    'after',
    `
Examples:
  $ npx voicebill invoice ${EXAMPLE_INPUTS} --period 2026-11 --format text
  $ npx voicebill invoice ${EXAMPLE_INPUTS} --period 2026-11 --format pdf --output invoices.pdf
  $ npx voicebill invoice --from vapi --account acme-dental --tariff examples/tariff.yaml --accounts examples/accounts.yaml --calls examples/vapi-calls.json --period 2026-11

Exit status: 0 all good; 1 a file or option is wrong; 3 some records were rejected (listed on stderr; the rest are billed).`,
  )
  .action((options: InvoiceOptions) => run(() => invoiceCommand(options)));

withBillingInputs(program.command('usage'))
  .description('Show each account\'s usage at an instant: included minutes used and left, bundles, pay-as-you-go, estimated cost and forecast.')
  .requiredOption('--at <instant>', 'RFC 3339 instant, e.g. 2026-11-20T12:00:00Z')
  .addHelpText(
    'after',
    `
Example:
  $ npx voicebill usage ${EXAMPLE_INPUTS} --at 2026-11-20T12:00:00Z

Calls count once they have ended by --at; bundle purchases and number charges once they have happened.`,
  )
  .action((options: UsageOptions) => run(() => usageCommand(options)));

program
  .command('serve')
  .description('Run the billing service: accounts, a ledger of balances, invoices and the HTTP API (SQLite by default, PostgreSQL by URL).')
  .option('--port <n>', 'TCP port to listen on (0: any free port)', '8080')
  .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
  .option('--db <path-or-url>', 'SQLite file or postgres:// URL (default: $DATABASE_URL, else ./voicebill.db)')
  .option('--seed-example', 'load the bundled example (tariff, 5 accounts, a month of calls) into a database that has no tariff yet')
  .option('--close-interval <seconds>', 'close due billing periods this often (0: never; POST /v1/admin/close-due-periods closes on demand)', '60')
  .option('--close-grace <seconds>', 'wait this long after a period ends before closing it, for calls still on their way (default: 3600)')
  .option('--public-url <url>', 'where the service is reached from outside, for the dashboard link in alert events (default: http://HOST:PORT)')
  .option('--smtp-url <url>', 'SMTP server for alert emails, e.g. smtp://user:password@mail.example.com:587 (default: $VOICEBILL_SMTP_URL; none: emails wait and retry)')
  .option('--mail-from <address>', 'the From address of alert emails', 'voicebill <alerts@localhost>')
  .option('--deliver-interval <seconds>', 'send due alert deliveries this often (0: never)', '5')
  .addHelpText(
    'after',
    `
Examples:
  $ npx voicebill serve --port 8080 --db ./voicebill.db --seed-example
  $ curl http://127.0.0.1:8080/healthz
  $ DATABASE_URL=postgres://voicebill@localhost/voicebill VOICEBILL_OPERATOR_KEY=... npx voicebill serve --port 8080

The operator key is VOICEBILL_OPERATOR_KEY when set; otherwise one is made at the first start
and printed once. The API reference is at /docs. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.`,
  )
  // Loaded only for `serve`: Fastify and the database drivers would slow every batch command's start.
  .action((options: ServeOptions) => run(async () => (await import('./commands/serve.js')).serveCommand(options)));

// `voicebill rate … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with status 0; usage errors were already printed.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  } else if (error instanceof InputError) {
    process.stderr.write(`voicebill: ${error.message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  } else {
    process.stderr.write(`voicebill: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  }
}
