package dev.functiongateway.support;

import org.slf4j.Logger;

/**
 * The log of a task that runs again and again and may fail for a while (a refresh while the database is away):
 * one WARN when it starts failing, one INFO when it works again, and the failures in between at DEBUG, so that
 * an outage of minutes is two lines, not one per tick. Threading: callers serialize their calls (the refreshes
 * that use it are synchronized).
 */
public final class RecurringFailure {

    private final Logger log;
    private final String task;
    private final String consequence;
    private boolean failing;

    /**
     * @param task what fails, as the start of a sentence ("Registry refresh")
     * @param consequence what the gateway does meanwhile ("keeping the previous snapshot")
     */
    public RecurringFailure(Logger log, String task, String consequence) {
        this.log = log;
        this.task = task;
        this.consequence = consequence;
    }

    public void failed(RuntimeException e) {
        String cause = LogSafe.escape(e.toString());
        if (failing) {
            log.debug("{} failed again, {}: {}", task, consequence, cause);
            return;
        }
        failing = true;
        log.warn("{} failed, {} until it works again: {}", task, consequence, cause);
    }

    public void succeeded() {
        if (failing) {
            failing = false;
            log.info("{} works again", task);
        }
    }
}
