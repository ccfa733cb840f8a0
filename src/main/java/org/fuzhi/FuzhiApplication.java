package org.fuzhi;

import org.fuzhi.demo.GenerateCommand;
import org.springframework.boot.SpringApplication;
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
        SpringApplication.run(FuzhiApplication.class, args);
    }
}
