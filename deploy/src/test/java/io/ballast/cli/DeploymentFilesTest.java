package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.LibUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.auditor.AuditorConfig;
import io.ballast.calibrator.CalibratorConfig;
import io.ballast.generator.model.ComputeDevice;
import io.ballast.generator.service.GeneratorConfig;
import io.ballast.runtime.ConfigSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose, Kubernetes, Prometheus and Grafana files parse and match what the code really reads and exports. */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String GPU_DOCKERFILE = "deploy/docker/calibrator-gpu.Dockerfile";
    private static final Map<String, List<String>> KEYS_BY_COMMAND = Map.of(
            "generator", GeneratorConfig.KEYS, "auditor", AuditorConfig.KEYS, "calibrator", CalibratorConfig.KEYS);

    @Test
    @SuppressWarnings("unchecked")
    void composeUsesTheOfficialImagesAndOnlySettingsTheServicesRead() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services)
                .containsKeys(
                        "kafka", "schema-registry", "generator", "auditor", "calibrator", "prometheus", "grafana");
        assertThat((String) services.get("kafka").get("image")).startsWith("apache/kafka:");
        assertThat((String) services.get("schema-registry").get("image"))
                .startsWith("confluentinc/cp-schema-registry:");
        Set<String> commands = BallastMain.commandLine().getSubcommands().keySet();
        for (String name : KEYS_BY_COMMAND.keySet()) {
            Map<String, Object> service = services.get(name);
            List<String> command = (List<String>) service.get("command");
            assertThat(commands).as("command of %s", name).contains(command.get(0));
            Map<String, Object> env = (Map<String, Object>) service.get("environment");
            assertReadByService(name, env.keySet());
            // the port published is the one the service is told to listen on
            String port = String.valueOf(env.get("BALLAST_HTTP_PORT"));
            assertThat((List<String>) service.get("ports")).anyMatch(p -> p.endsWith(":" + port));
            // and the settings parse as the service would parse them at start
            Map<String, String> settings = env.entrySet().stream()
                    .collect(Collectors.toMap(e -> keyForEnv(name, e.getKey()), e -> String.valueOf(e.getValue())));
            switch (name) {
                case "generator" -> GeneratorConfig.from(ConfigSource.ofMap(settings));
                case "auditor" -> AuditorConfig.from(ConfigSource.ofMap(settings));
                default -> CalibratorConfig.from(ConfigSource.ofMap(settings));
            }
        }
        assertThat(services.get("calibrator").toString()).contains("nvidia");
        // the HTTP APIs have no authentication: every published port is bound to the host's loopback
        services.forEach((name, service) -> {
            for (Object published : (List<Object>) service.getOrDefault("ports", List.of())) {
                assertThat(String.valueOf(published))
                        .as("published port of %s", name)
                        .startsWith("127.0.0.1:");
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesManifestsParseAndSetOnlySettingsTheServicesRead() throws IOException {
        List<String> kinds = new ArrayList<>();
        Set<String> configMapKeys = Set.of();
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/k8s"))) {
            for (Path f : files.sorted().toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    Map<String, Object> d = (Map<String, Object>) doc;
                    kinds.add((String) d.get("kind"));
                    if ("ConfigMap".equals(d.get("kind"))) {
                        configMapKeys = ((Map<String, Object>) d.get("data")).keySet();
                    }
                    if (List.of("Deployment", "StatefulSet").contains(d.get("kind"))) {
                        Map<String, Object> pod = (Map<String, Object>)
                                ((Map<String, Object>) ((Map<String, Object>) d.get("spec")).get("template"))
                                        .get("spec");
                        for (Map<String, Object> c : (List<Map<String, Object>>) pod.get("containers")) {
                            String command = ((List<String>) c.get("args")).get(0);
                            assertThat(c).containsKeys("readinessProbe", "livenessProbe");
                            for (Map<String, Object> e : (List<Map<String, Object>>) c.getOrDefault("env", List.of())) {
                                String envName = (String) e.get("name");
                                if (!envName.equals("POD_NAME")) {
                                    assertReadByService(command, Set.of(envName));
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(kinds).contains("Deployment", "StatefulSet", "Service", "ConfigMap", "Job", "PrometheusRule");
        // the shared ConfigMap holds only what every service reads
        for (String command : KEYS_BY_COMMAND.keySet()) {
            assertReadByService(command, configMapKeys);
        }
        assertThat(Files.readString(ROOT.resolve("deploy/k8s/calibrator.yaml")))
                .contains("nvidia.com/gpu: 1")
                .contains("tolerations");
    }

    @Test
    void theGpuImageGivesDjlACudaLibtorchOfThePomsPyTorchVersionAndAJniItCarries() throws IOException {
        // given the GPU image's definition, the CPU image's and the versions the build uses
        String gpu = Files.readString(ROOT.resolve(GPU_DOCKERFILE));
        String cpu = Files.readString(ROOT.resolve("deploy/docker/Dockerfile"));
        Map<String, String> env = dockerEnv(gpu);
        String pytorch = pomProperty("pytorch.version");
        String djl = pomProperty("djl.version");
        // when DJL's LibUtils reads its environment
        String flavor = env.get("PYTORCH_FLAVOR");
        // then it loads the torch package's libtorch, declared as the pom's PyTorch version and the CUDA flavor
        assertThat(env.get("PYTORCH_LIBRARY_PATH"))
                .startsWith("/opt/conda/lib/python")
                .endsWith("/site-packages/torch/lib");
        assertThat(env.get("PYTORCH_VERSION")).isEqualTo(pytorch);
        assertThat(flavor).isEqualTo(ComputeDevice.CUDA_FLAVOR);
        // on PyTorch's own image of that version and CUDA release (cu128 is CUDA 12.8)
        String cudaRelease = flavor.substring(2, flavor.length() - 1) + "." + flavor.charAt(flavor.length() - 1);
        assertThat(gpu)
                .containsPattern("(?m)^FROM pytorch/pytorch:" + Pattern.quote(pytorch + "-cuda" + cudaRelease) + "-");
        // and the JNI library it then extracts is in the pytorch-jni jar on the classpath, built for that version
        assertThat(LibUtils.class.getResource("/jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so"))
                .as("pytorch-jni carries a %s JNI", flavor)
                .isNotNull();
        Properties jni = new Properties();
        try (InputStream in = LibUtils.class.getResourceAsStream("/jnilib/pytorch.properties")) {
            jni.load(in);
        }
        assertThat(jni.getProperty("jni_version")).startsWith(pytorch + "-" + djl);
        // the service insists on the GPU, through the variable the config and --device read
        assertThat(DeviceOptions.ENV).isEqualTo(ConfigSource.envName(ComputeDevice.KEY));
        assertThat(ComputeDevice.SETTING.read(
                        ConfigSource.ofMap(Map.of(ComputeDevice.KEY, env.get(DeviceOptions.ENV)))))
                .isEqualTo(ComputeDevice.Choice.GPU);
        // and the rest is the CPU image's: same jar and lib, DJL offline, the same cache
        assertThat(gpu).contains(lines(cpu, "COPY ")).contains(lines(cpu, "ENTRYPOINT "));
        assertThat(env.get("DJL_CACHE_DIR")).isEqualTo(dockerEnv(cpu).get("DJL_CACHE_DIR"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeAndKubernetesRunTheCalibratorOnTheGpuImageWithAGpuAndDeviceGpu() throws IOException {
        // given the calibrator in docker-compose and in Kubernetes
        Map<String, Object> calibrator = ((Map<String, Map<String, Object>>)
                        ((Map<String, Object>) new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml"))))
                                .get("services"))
                .get("calibrator");
        Map<String, Object> container = null;
        for (Object doc : new Yaml().loadAll(Files.readString(ROOT.resolve("deploy/k8s/calibrator.yaml")))) {
            Map<String, Object> d = (Map<String, Object>) doc;
            if ("Deployment".equals(d.get("kind"))) {
                container = ((List<Map<String, Object>>) path(d, "spec", "template", "spec", "containers")).get(0);
            }
        }
        String deviceEnv = ConfigSource.envName(CalibratorConfig.DEVICE);
        // when compose builds and reserves, then it builds the GPU image and reserves a GPU for it
        assertThat(path(calibrator, "build", "dockerfile")).isEqualTo(GPU_DOCKERFILE);
        List<Map<String, Object>> devices =
                (List<Map<String, Object>>) path(calibrator, "deploy", "resources", "reservations", "devices");
        assertThat((List<String>) devices.get(0).get("capabilities")).contains("gpu");
        assertThat(((Map<String, Object>) calibrator.get("environment")).get(deviceEnv))
                .isEqualTo("gpu");
        // and Kubernetes runs that image with one GPU and the same device setting
        assertThat(container).isNotNull();
        assertThat(container.get("image")).isEqualTo(calibrator.get("image"));
        assertThat(path(container, "resources", "limits", "nvidia.com/gpu")).isEqualTo(1);
        assertThat((List<Map<String, Object>>) container.get("env"))
                .contains(Map.of("name", deviceEnv, "value", "gpu"));
    }

    @Test
    void alertRulesAndTheDashboardReferenceMetricsTheCodeExports() throws IOException {
        String alerts = Files.readString(ROOT.resolve("deploy/prometheus/alerts.yml"));
        new Yaml().load(alerts);
        JsonNode dashboard = new ObjectMapper()
                .readTree(ROOT.resolve("deploy/grafana/dashboards/ballast.json").toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThan(4);
        StringBuilder exprs = new StringBuilder(alerts);
        dashboard
                .path("panels")
                .forEach(p -> p.path("targets")
                        .forEach(t -> exprs.append(' ').append(t.path("expr").asText())));
        Matcher m = Pattern.compile("ballast_[a-z_]+").matcher(exprs);
        Set<String> referenced = new TreeSet<>();
        while (m.find()) {
            referenced.add(m.group().replaceAll("_(total|bucket|seconds_bucket|seconds)$", ""));
        }
        assertThat(referenced)
                .contains(
                        "ballast_auditor_drift_open_episodes",
                        "ballast_auditor_dlq_records",
                        "ballast_auditor_consumer_lag",
                        "ballast_calibrator_jobs",
                        "ballast_generator_swaps");
        String sources = javaSources();
        for (String metric : referenced) {
            assertThat(sources)
                    .as("metric %s is registered somewhere in the code", metric)
                    .contains("\"" + metric + "\"");
        }
    }

    private static void assertReadByService(String command, Set<String> envNames) {
        Set<String> readable =
                KEYS_BY_COMMAND.get(command).stream().map(ConfigSource::envName).collect(Collectors.toSet());
        for (String env : envNames) {
            assertThat(readable).as("%s reads %s", command, env).contains(env);
        }
    }

    /** ENV instructions of a Dockerfile, continuation lines joined: name to value. */
    private static Map<String, String> dockerEnv(String dockerfile) {
        Map<String, String> env = new TreeMap<>();
        Matcher instruction = Pattern.compile("(?m)^ENV\\s+((?:.*\\\\\\n)*.*)$").matcher(dockerfile);
        while (instruction.find()) {
            Matcher pair = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\\S+)")
                    .matcher(instruction.group(1).replace("\\\n", " "));
            while (pair.find()) {
                env.put(pair.group(1), pair.group(2));
            }
        }
        return env;
    }

    private static String lines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).collect(Collectors.joining("\n"));
    }

    private static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).as("pom.xml declares %s", name).isTrue();
        return m.group(1).trim();
    }

    @SuppressWarnings("unchecked")
    private static Object path(Map<String, Object> yaml, String... keys) {
        Object node = yaml;
        for (String key : keys) {
            node = ((Map<String, Object>) node).get(key);
        }
        return node;
    }

    private static String keyForEnv(String command, String env) {
        return KEYS_BY_COMMAND.get(command).stream()
                .filter(k -> ConfigSource.envName(k).equals(env))
                .findFirst()
                .orElseThrow();
    }

    private static String javaSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String module : List.of("generator", "auditor", "calibrator")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    all.append(Files.readString(f));
                }
            }
        }
        return all.toString();
    }
}
