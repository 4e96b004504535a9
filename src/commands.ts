/** Subcommands (`mycotop ack ID`, `mycotop silence RULE`, `mycotop rules check FILE`, ...). */
import {type Flags} from './config/flags.js';

export async function runSubcommand(flags: Flags, _env: NodeJS.ProcessEnv): Promise<number> {
	process.stderr.write(`mycotop: unknown command "${flags.positionals[0]}"\nRun mycotop --help for usage.\n`);
	return 2;
}
