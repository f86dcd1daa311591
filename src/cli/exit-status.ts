/** Exit statuses of the batch commands (SPEC §13). */
export const EXIT_OK = 0;
/** The command line or an input file is wrong; the message names the file and field. */
export const EXIT_BAD_INPUT = 1;
/** Some records were rejected; the others were still rated and billed. */
export const EXIT_REJECTED_RECORDS = 3;
export type ExitStatus = typeof EXIT_OK | typeof EXIT_BAD_INPUT | typeof EXIT_REJECTED_RECORDS;
