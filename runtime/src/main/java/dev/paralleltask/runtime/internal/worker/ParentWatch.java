package dev.paralleltask.runtime.internal.worker;

/**
 * Halts the worker soon after its parent dies, even while a task is running.
 *
 * <p>An idle worker also notices at once through its channel; this covers a busy one. The parent
 * is gone when its pid no longer runs, or when this process was handed to another parent.
 */
final class ParentWatch {
    private static final long POLL_MILLIS = 100;

    private ParentWatch() {}

    static void start(long parentPid) {
        Thread watch =
                new Thread(
                        () -> {
                            while (isAlive(parentPid)) {
                                try {
                                    Thread.sleep(POLL_MILLIS);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                            // halt, not exit: shutdown hooks of user code must not keep an orphan alive.
                            Runtime.getRuntime().halt(WorkerMain.EXIT_PARENT_GONE);
                        },
                        "paralleltask-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static boolean isAlive(long parentPid) {
        boolean stillOurParent =
                ProcessHandle.current().parent().map(p -> p.pid() == parentPid).orElse(false);
        return stillOurParent && ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false);
    }
}
