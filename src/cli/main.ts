/**
 * The `efficientnet` command: parses arguments and calls the public API, nothing else. User
 * mistakes end in one line on stderr and a non-zero exit code, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { userPath } from '../node/files.js';
import { registerClassify } from './commands/classify.js';
import { registerConvert } from './commands/convert.js';
import { registerEval } from './commands/eval.js';
import { registerExport } from './commands/export.js';
import { registerFeatures } from './commands/features.js';
import { registerFinetune } from './commands/finetune.js';
import { registerForward } from './commands/forward.js';
import { registerGradients } from './commands/gradients.js';
import { registerScale } from './commands/scale.js';
import { registerSummary } from './commands/summary.js';
import { EfficientNetError, fileSystemReason } from '../index.js';

/** Exit codes: 0 success, 1 failure (bad input, bad file), 2 usage error. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('efficientnet')
    .description('EfficientNet B0–B8, L2 and V2: architecture, PyTorch weights, inference and training on onnxruntime')
    .version(packageVersion(), '-V, --version', 'print the version of efficientnet-ts')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSummary(program);
  registerScale(program);
  registerForward(program);
  registerClassify(program);
  registerFeatures(program);
  registerConvert(program);
  registerExport(program);
  registerEval(program);
  registerGradients(program);
  registerFinetune(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** The version in package.json, three levels above dist/src/cli (in a checkout and in the packed tarball alike). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * A reader that stops early (`efficientnet classify photos/ | head`) closes the pipe: stop
 * quietly and successfully, as Unix tools killed by SIGPIPE do from the reader's point of view,
 * instead of crashing on an unhandled EPIPE. Other stdout errors still surface.
 */
function stopQuietlyWhenStdoutCloses(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

/**
 * Runs the CLI and returns its exit code.
 *
 * @example
 * process.exitCode = await main(['summary', 'efficientnet-b0']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  stopQuietlyWhenStdoutCloses();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit with code 0; commander has already printed its message.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof EfficientNetError) {
      process.stderr.write(`efficientnet: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    const { code, path, syscall } = error as NodeJS.ErrnoException;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
      // Any file-system failure (EROFS, EEXIST, ELOOP, ...), named by the user's path, not a temporary file.
      const where = path ? ` '${userPath(path)}'` : '';
      process.stderr.write(`efficientnet: cannot ${syscall ?? 'access'}${where}: ${fileSystemReason(error as NodeJS.ErrnoException)}\n`);
      return EXIT_FAILURE;
    }
    throw error; // a bug: let Node print the stack
  }
}
