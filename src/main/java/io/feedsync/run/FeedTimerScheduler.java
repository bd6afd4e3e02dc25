package io.feedsync.run;

import org.apache.camel.pollconsumer.quartz.QuartzScheduledPollConsumerScheduler;
import org.quartz.ObjectAlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Scope;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;

/**
 * The Quartz scheduler of a feed's timer route ({@code scheduler: "#feedTimerScheduler"}, a new
 * one per route): camel-quartz's own, made safe for nodes that start at the same time.
 * <p>
 * It looks the trigger up, then stores it if it was missing. Two nodes can both find it missing;
 * the second to store it gets {@link ObjectAlreadyExistsException}, which would stop its startup.
 * Each attempt runs in one transaction, so Quartz's row lock serialises the stores and a failed
 * one leaves nothing behind; the loser then starts again and takes the trigger as it finds it.
 */
@Component("feedTimerScheduler")
@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
public class FeedTimerScheduler extends QuartzScheduledPollConsumerScheduler {

    private static final Logger log = LoggerFactory.getLogger(FeedTimerScheduler.class);

    private final PlatformTransactionManager transactions;

    public FeedTimerScheduler(PlatformTransactionManager transactions) {
        this.transactions = transactions;
    }

    @Override
    protected void doStart() throws Exception {
        try {
            scheduleInOneTransaction();
        } catch (ObjectAlreadyExistsException e) {
            log.info("Trigger {}.{} was stored by another node meanwhile; using it", getTriggerGroup(), getTriggerId());
            scheduleInOneTransaction();
        }
    }

    private void scheduleInOneTransaction() throws Exception {
        TransactionStatus transaction = transactions.getTransaction(TransactionDefinition.withDefaults());
        try {
            super.doStart();
        } catch (Exception | Error e) {
            transactions.rollback(transaction);
            throw e;
        }
        transactions.commit(transaction);
    }
}
