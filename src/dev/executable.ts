/** Whether a path is a file this process may execute. For finding the development tools (Temporal CLI, Chromium). */
import { accessSync, constants } from 'node:fs';

export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
