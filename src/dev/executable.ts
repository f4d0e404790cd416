/** Whether a path is a file this process may execute. For finding the development tools (Temporal CLI, Chromium). */
import { accessSync, constants, statSync } from 'node:fs';

export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    // A directory passes X_OK too (it means "may enter"), and can't be run.
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
