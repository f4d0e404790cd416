/** The task queue Vigil's workers poll unless configured otherwise (VIGIL_TASK_QUEUE). */
export const DEFAULT_TASK_QUEUE = 'vigil';
