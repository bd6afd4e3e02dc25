package io.feedsync;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import io.feedsync.cli.CommandLineRun;

@SpringBootApplication
@ConfigurationPropertiesScan
public class FeedsyncApplication {

    public static void main(String[] args) {
        if (CommandLineRun.handles(args)) {
            System.exit(CommandLineRun.run(FeedsyncApplication.class, args, System.out, System.err));
        }
        SpringApplication.run(FeedsyncApplication.class, args);
    }
}
