package io.ballast.generator.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Finds, in compiled classes, the DJL calls whose constant operand autograd may read after Java
 * has freed it (see {@link GraphScalars}): {@code NDArray.mul/div/maximum/minimum/pow(Number)} and
 * {@code Activation.swish}. Reads the bytecode with the JDK's javap, so a call is found however
 * the source spells it.
 */
public final class ConstantArithmeticScan {

    private static final Pattern CALL = Pattern.compile(
            "ai/djl/ndarray/NDArray\\.(mul|div|maximum|minimum|pow):\\(Ljava/lang/Number;\\)|ai/djl/nn/Activation\\.swish:");

    private ConstantArithmeticScan() {}

    /** "class: call" for each such call in the classes compiled beside {@code anchor} (its module's). */
    public static List<String> callsBeside(Class<?> anchor) throws IOException, URISyntaxException {
        return callsIn(Path.of(
                anchor.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }

    /** "class: call" for each such call under {@code classes} (a folder of .class files). */
    public static List<String> callsIn(Path classes) throws IOException {
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow(() -> new IllegalStateException("no javap"));
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no classes under " + classes);
        }
        for (Path file : files) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            int rc = javap.run(print, print, "-c", "-p", file.toString());
            String text = out.toString(StandardCharsets.UTF_8);
            if (rc != 0) {
                throw new IllegalStateException("javap failed on " + file + ": " + text);
            }
            Matcher m = CALL.matcher(text);
            while (m.find()) {
                found.add(classes.relativize(file) + ": " + m.group());
            }
        }
        return found;
    }
}
