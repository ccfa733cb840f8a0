package org.fuzhi.demo;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code java -jar target/fuzhi.jar generate --scale county|province --out DIR [--seed N] [--extra-students N]}: writes import-format
 * CSV files (regions, schools, households, students, groups) without starting the application.
 */
public final class GenerateCommand {

    private GenerateCommand() {
    }

    public static int run(String[] args) {
        String scale = "county";
        String out = null;
        long seed = 20260901L;
        long extra = 0;
        boolean independent = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--scale" -> scale = args[++i];
                case "--out" -> out = args[++i];
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--extra-students" -> extra = Long.parseLong(args[++i]);
                case "--independent-roster" -> independent = true;
                default -> {
                    System.err.println("unknown option " + args[i]);
                    return usage();
                }
            }
        }
        if (out == null || !(scale.equals("county") || scale.equals("province"))) {
            return usage();
        }
        long start = System.nanoTime();
        var result = DemoGenerator.generate(Path.of(out),
                DemoGenerator.Scale.valueOf(scale.toUpperCase(Locale.ROOT)), seed, extra);
        System.out.printf("generated %s in %.1f s: %d regions, %d schools, %d household member rows, %d students -> %s%n",
                scale, (System.nanoTime() - start) / 1e9, result.regionRows(), result.schoolRows(),
                result.householdRows(), result.studentRows(), Path.of(out).toAbsolutePath());
        if (independent) {
            try {
                long lines = IndependentRoster.write(result.households(), Path.of(out), seed + 7);
                System.out.printf("independent roster: %d lines -> roster-independent.csv (truth in "
                        + "roster-independent-truth.csv)%n", lines);
            } catch (Exception e) {
                System.err.println("independent roster failed: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    private static int usage() {
        System.err.println("usage: java -jar fuzhi.jar generate --scale county|province --out DIR [--seed N] "
                + "[--extra-students N] [--independent-roster]");
        return 2;
    }
}
