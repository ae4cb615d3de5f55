import { runMochaSuite } from '../runMocha';

export function run(): Promise<void> {
  return runMochaSuite(__dirname);
}
