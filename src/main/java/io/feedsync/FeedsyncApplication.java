package io.feedsync;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class FeedsyncApplication {

    public static void main(String[] args) {
        SpringApplication.run(FeedsyncApplication.class, args);
    }
}
