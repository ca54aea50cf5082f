package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

/** What a newcomer's console must not show when output is captured (not a terminal). */
final class QuietConsole {

    private static final Pattern ERROR_LEVEL = Pattern.compile("\\bERROR\\b");
    private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at [\\w.$]+\\(", Pattern.MULTILINE);

    private QuietConsole() {}

    static void assertQuiet(String console) {
        assertThat(console).as("carriage returns in:%n%s", console).doesNotContain("\r");
        assertThat(console.lines().filter(l -> ERROR_LEVEL.matcher(l).find()).toList())
                .as("ERROR lines")
                .isEmpty();
        assertThat(STACK_FRAME.matcher(console).find())
                .as("a stack trace in:%n%s", console)
                .isFalse();
        assertThat(console).doesNotContain("Exception in thread");
    }
}
