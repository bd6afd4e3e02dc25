package io.feedsync.run;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A run's writes handed over to a pool of many threads: one at a time, in order, and bounded. */
class RunWritesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void writesRunOneAtATimeInTheOrderHandedOver() throws InterruptedException {
        RunWrites writes = new RunWrites();
        List<Integer> order = new CopyOnWriteArrayList<>();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            int chunk = i;
            writes.handOver(() -> {
                mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                sleep(ThreadLocalRandom.current().nextInt(3));
                order.add(chunk);
                atOnce.decrementAndGet();
                done.countDown();
            }, pool);
        }

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(order).isEqualTo(IntStream.range(0, 50).boxed().toList());
        assertThat(mostAtOnce.get()).isEqualTo(1);
    }

    @Test
    void theRunWaitsWhileItsWritesInFlightAreFull() throws InterruptedException {
        RunWrites writes = new RunWrites();
        CountDownLatch stuck = new CountDownLatch(1);
        for (int i = 0; i < RunWrites.IN_FLIGHT; i++) {
            writes.handOver(() -> await(stuck), pool);
        }
        CountDownLatch handedOver = new CountDownLatch(1);
        Thread run = new Thread(() -> {
            try {
                writes.handOver(() -> { }, pool);
                handedOver.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        run.start();

        assertThat(handedOver.await(300, TimeUnit.MILLISECONDS)).as("handed over with the writes in flight full").isFalse();
        stuck.countDown();
        assertThat(handedOver.await(10, TimeUnit.SECONDS)).as("handed over once a write was done").isTrue();
        run.join(10_000);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
