import type { SingleBar } from 'cli-progress';

/**
 * A progress bar on stderr, drawn only on a terminal (elsewhere cli-progress draws nothing, so stdout
 * keeps just the summary). cli-progress is loaded here, by the few commands that draw one, rather than
 * by every `pipit` process (they all load every command's module).
 */
export async function progressBar(format: string): Promise<SingleBar> {
  const { default: cliProgress } = await import('cli-progress');
  return new cliProgress.SingleBar({ format, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
}
