package io.feedsync.config;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.jmx.export.MBeanExporter;

/**
 * The database pool's MBeans come from Hikari itself ({@code spring.datasource.hikari.register-mbeans}),
 * under the pool's name, which is unique in the JVM; Spring's exporter leaves the data source bean
 * alone, whichever configuration made it (the embedded database's or Spring Boot's). Otherwise the
 * exporter registers it too, under a name every node in one JVM shares — a second node (an
 * embedding application, a test) would not start — or as a second copy of Hikari's own MBean.
 */
@Configuration(proxyBeanMethods = false)
class DataSourceMBeans {

    DataSourceMBeans(ObjectProvider<MBeanExporter> exporters) {
        exporters.orderedStream().forEach(exporter -> exporter.addExcludedBean("dataSource"));
    }
}
