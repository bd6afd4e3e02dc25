package io.feedsync.ops.logging;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ExchangeFormatter;
import org.apache.camel.spi.MaskingFormatter;
import org.apache.camel.spi.Tracer;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Camel's logging with feedsync's credential mask: the Log EIP and log component (with
 * {@code camel.main.log-mask: true}, set in application.yaml) use it by its registry name, and so
 * does the tracer, which Camel does not mask by itself: should tracing be switched on (at startup
 * or over JMX), each traced exchange is written with its credential headers masked.
 */
@Configuration(proxyBeanMethods = false)
public class CamelLogMasking implements CamelContextConfiguration {

    @Bean(MaskingFormatter.CUSTOM_LOG_MASK_REF)
    static MaskingFormatter camelLogMask() {
        return new CredentialMaskingFormatter();
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        // Camel makes its tracer on first use, enabled if tracing is on by then. Made here, it is
        // enabled as it would be once tracing is switched on (only routes made after that are traced),
        // unless it waits in standby for its own switch
        Tracer tracer = context.getTracer();
        if (!context.isTracingStandby()) {
            tracer.setEnabled(true);
        }
        ExchangeFormatter traced = tracer.getExchangeFormatter();
        MaskingFormatter mask = camelLogMask();
        tracer.setExchangeFormatter(exchange -> mask.format(traced.format(exchange)));
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }
}
