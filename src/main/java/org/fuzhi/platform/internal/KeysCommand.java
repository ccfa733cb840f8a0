package org.fuzhi.platform.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar fuzhi.jar keys generate --out FILE} makes a new key file (no database needed);
 * {@code java -jar fuzhi.jar keys rotate [--spring.datasource.url=… --fuzhi.crypto.keyset-file=…]} rotates the keys
 * of a stopped deployment, with the same configuration the application runs with (ADR 0011).
 */
public final class KeysCommand {

    private KeysCommand() {
    }

    /** Writes a new key file; refuses to overwrite one (that would orphan whatever it sealed). */
    public static void generate(Path out) throws IOException {
        if (Files.exists(out)) {
            throw new IllegalStateException(out + " exists: a key file is never overwritten");
        }
        TinkFieldCrypto.write(out, Keyring.generate());
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 2; i < args.length - 1; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        return o;
    }

    /** Entry point for {@code keys …}; returns the exit code. */
    public static int run(String[] args, Function<String[], ConfigurableApplicationContext> boot) {
        String verb = args.length > 1 ? args[1] : "";
        try {
            switch (verb) {
                case "generate" -> {
                    String out = null;
                    for (int i = 2; i < args.length - 1; i++) {
                        if ("--out".equals(args[i])) {
                            out = args[i + 1];
                        }
                    }
                    if (out == null) {
                        System.err.println("usage: java -jar fuzhi.jar keys generate --out FILE");
                        return 2;
                    }
                    generate(Path.of(out));
                    System.out.println("new key file written to " + out + " (readable by its owner only): back it up "
                            + "and keep it apart from the database");
                    return 0;
                }
                case "seal-csv" -> {
                    Map<String, String> o = options(args);
                    if (!o.keySet().containsAll(List.of("--keyset", "--in", "--out", "--columns"))) {
                        System.err.println("usage: java -jar fuzhi.jar keys seal-csv --keyset FILE --in A.csv "
                                + "--out B.csv --columns 身份证号:ID_NUMBER,学籍号:STUDENT_NO");
                        return 2;
                    }
                    TinkFieldCrypto crypto = new TinkFieldCrypto(TinkFieldCrypto.load(null,
                            Path.of(o.get("--keyset")), false));
                    long n = SealCsv.run(crypto, Path.of(o.get("--in")), Path.of(o.get("--out")),
                            SealCsv.columns(o.get("--columns")));
                    System.out.println(n + " rows sealed into " + o.get("--out"));
                    return 0;
                }
                case "rotate" -> {
                    String[] springArgs = Arrays.copyOfRange(args, 2, args.length);
                    try (ConfigurableApplicationContext ctx = boot.apply(springArgs)) {
                        String file = ctx.getEnvironment().getProperty("fuzhi.crypto.keyset-file",
                                "./data/fuzhi-keys.json");
                        System.out.println(ctx.getBean(KeyRotation.class).rotate(Path.of(file)));
                    }
                    return 0;
                }
                default -> {
                    System.err.println("usage: java -jar fuzhi.jar keys generate --out FILE | keys rotate [options] "
                            + "| keys seal-csv --keyset FILE --in A.csv --out B.csv --columns COLUMN:KIND,…");
                    return 2;
                }
            }
        } catch (Exception e) {
            System.err.println("keys " + verb + " failed: " + e.getMessage());
            return 1;
        }
    }
}
