/**
 * The `efficientnet` command: parses arguments and calls the public API, nothing else. User
 * mistakes end in one line on stderr and a non-zero exit code, never a stack trace.
 */
import '../node/register.js';
import { Command, CommanderError } from 'commander';
import { EfficientNetError } from '../errors.js';
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

/** Exit codes: 0 success, 1 failure (bad input, bad file), 2 usage error. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('efficientnet')
    .description('EfficientNet B0–B8 and L2: architecture, PyTorch weights, inference and training on onnxruntime')
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

/**
 * Runs the CLI and returns its exit code.
 *
 * @example
 * process.exitCode = await main(['summary', 'efficientnet-b0']);
 */
export async function main(argv: readonly string[]): Promise<number> {
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOSPC' || code === 'ENOTDIR') {
      const { path, syscall } = error as NodeJS.ErrnoException;
      process.stderr.write(`efficientnet: cannot ${syscall ?? 'access'} ${path ?? ''}: ${code}\n`);
      return EXIT_FAILURE;
    }
    throw error; // a bug: let Node print the stack
  }
}
