package io.ballast.cli;

/**
 * Process-wide settings every command needs, applied before anything loads DJL or Avro classes.
 * A value given on the command line ({@code -Dkey=value}) is kept.
 */
final class ProcessDefaults {

    private ProcessDefaults() {}

    static void apply() {
        // DJL must never download: natives come from the pytorch-native-cpu jar on the classpath
        setIfAbsent("ai.djl.offline", "true");
        // without this, DJL's usage tracking calls the cloud metadata address at engine start
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
