package org.fuzhi;

import java.util.Map;
import org.fuzhi.demo.GenerateCommand;
import org.fuzhi.platform.KeyCommands;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/** 扶智 — education precision poverty alleviation and student financial aid. */
@SpringBootApplication
@EnableScheduling
public class FuzhiApplication {

    public static void main(String[] args) throws Exception {
        // The data-set generator is a plain command: it needs no database and must not start the web server.
        if (args.length > 0 && "generate".equals(args[0])) {
            System.exit(GenerateCommand.run(args));
        }
        // Key management runs without the web server (rotation needs the database, not the port; ADR 0011).
        if (args.length > 0 && "keys".equals(args[0])) {
            System.exit(KeyCommands.run(args, springArgs -> {
                SpringApplication app = new SpringApplication(FuzhiApplication.class);
                app.setWebApplicationType(WebApplicationType.NONE);
                app.setDefaultProperties(Map.of("fuzhi.demo.load", "false", "fuzhi.crypto.rotating", "true"));
                return app.run(springArgs);
            }));
        }
        SpringApplication.run(FuzhiApplication.class, args);
    }
}
