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
        try (ConfigurableApplicationContext first = StartupCheck.start(feed());
             ConfigurableApplicationContext second = StartupCheck.start(feed())) {
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            assertThat(jmx.queryNames(new ObjectName("feedsync:type=Feeds,*"), null)).as("each node's feeds").hasSize(2);
            assertThat(jmx.queryNames(new ObjectName("com.zaxxer.hikari:*"), null))
                    .filteredOn(name -> name.getKeyProperty("type").startsWith("Pool ("))
                    .as("each node's database pool").hasSize(2);
            assertThat(jmx.queryNames(new ObjectName("org.apache.camel:type=context,*"), null)).as("each node's routes")
                    .hasSize(2);
        }
    }

    private static Map<String, Object> feed() {
        Map<String, Object> feed = new LinkedHashMap<>();
        feed.put("feedsync.feeds.partners.source.url", "http://127.0.0.1:1/export");
        feed.put("feedsync.feeds.partners.source.records", "/epa_clients");
        feed.put("feedsync.feeds.partners.transform.mapping.epa_type", "/key");
        feed.put("feedsync.feeds.partners.transform.mapping.ncpdp_version", "/version");
        feed.put("feedsync.feeds.partners.target.table", "test_plans");
        feed.put("feedsync.feeds.partners.target.key", "epa_type");
        return feed;
    }
}
