package org.fuzhi.platform;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import org.fuzhi.platform.internal.KeysCommand;
import org.springframework.context.ConfigurableApplicationContext;

/** The {@code keys …} commands of the jar (ADR 0011): generate a key file, rotate keys, seal a CSV for bulk loads. */
public final class KeyCommands {

    private KeyCommands() {
    }

    /** Runs {@code keys <verb> …}; {@code boot} starts the application (without a web server) where a verb needs it. */
    public static int run(String[] args, Function<String[], ConfigurableApplicationContext> boot) {
        return KeysCommand.run(args, boot);
    }

    /** Writes a new key file; refuses to overwrite one. */
    public static void generate(Path out) throws IOException {
        KeysCommand.generate(out);
    }
}
