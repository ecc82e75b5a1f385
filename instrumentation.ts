/** Runs once when a server process starts, before its first request: see lib/lifecycle/start.ts. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('@/lib/lifecycle/start');
  try {
    await startServer();
  } catch (error) {
    // Next logs a failed start and goes on serving errors; a production server that cannot work
    // (bad configuration, no database) must stop, so its supervisor sees it and says why.
    if (process.env.NODE_ENV !== 'production') throw error;
    console.error('[runnel] cannot start:', error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
