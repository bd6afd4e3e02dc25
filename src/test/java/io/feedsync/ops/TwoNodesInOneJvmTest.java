package io.feedsync.ops;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.support.StartupCheck;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two feedsync nodes in one JVM (an application embedding feedsync, a test), JMX on, without
 * {@code spring.jmx.unique-names}: both start, each with its own MBeans. (Spring's name for the data
 * source bean clashed before: the pool's MBeans now come from Hikari, under the pool's own name.)
 */
class TwoNodesInOneJvmTest {

    @Test
    void aSecondNodeInTheJvmStartsWithItsOwnMBeans() throws Exception {
        // other tests' applications may be in this JVM already: the two nodes' MBeans are the new ones
        Map<String, Integer> before = counts();
        try (ConfigurableApplicationContext first = StartupCheck.start(feed());
             ConfigurableApplicationContext second = StartupCheck.start(feed())) {
            Map<String, Integer> after = counts();
            before.forEach((kind, count) -> assertThat(after.get(kind) - count).as(kind).isEqualTo(2));
        }
    }

    /**
     * How many MBeans of each kind a node has one of: its feeds, its database pool. (Camel names its
     * contexts apart itself, and its MBeans come and go with other tests' contexts in this JVM.)
     */
    private static Map<String, Integer> counts() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("feeds", jmx.queryNames(new ObjectName("feedsync:type=Feeds,*"), null).size());
        counts.put("database pool", (int) jmx.queryNames(new ObjectName("com.zaxxer.hikari:*"), null).stream()
                .filter(name -> name.getKeyProperty("type").startsWith("Pool (")).count());
        return counts;
    }

    private static Map<String, Object> feed() {
        return StartupCheck.oneFeed();
    }
}
