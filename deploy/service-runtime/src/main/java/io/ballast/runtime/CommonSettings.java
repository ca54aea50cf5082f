package io.ballast.runtime;

import java.nio.file.Path;

/** Keys more than one service reads, declared once so their meaning reads the same in every service's help. */
public final class CommonSettings {

    public static final Setting<String> BOOTSTRAP_SERVERS =
            Setting.required("bootstrap.servers", "Kafka cluster, host:port[,host:port...]");
    public static final Setting<String> SCHEMA_REGISTRY_URL = Setting.required(
            "schema.registry.url",
            "Confluent-API schema registry, e.g. http://registry:8081 or Apicurio's http://host:port/apis/ccompat/v7");
    public static final Setting<String> HTTP_HOST = Setting.text(
            "ballast.http.host",
            "127.0.0.1",
            "address the HTTP endpoint (/metrics, /health, service routes) listens on");
    public static final Setting<Path> MODEL_STORE = Setting.path(
            "ballast.model.store",
            () -> Path.of(System.getProperty("user.home"), ".ballast", "models"),
            "~/.ballast/models",
            "directory of the model store (versions, the current pointer, history)");

    private CommonSettings() {}

    /** Each service has its own default port so all three can run on one machine. */
    public static Setting<Integer> httpPort(int defaultPort) {
        return Setting.integer("ballast.http.port", defaultPort, 0, 65535, "HTTP port (0 picks a free one)");
    }
}
