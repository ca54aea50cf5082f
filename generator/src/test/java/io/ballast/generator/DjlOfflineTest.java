package io.ballast.generator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.util.Utils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * DJL runs with no network: the PyTorch natives come from the pytorch-native-cpu jar on the
 * classpath, unpacked into the build's own cache, and DJL is told it is offline.
 */
class DjlOfflineTest {

    @Test
    void thePyTorchEngineLoadsAndComputesWithoutAnyNetworkAttempt() {
        // given offline mode, a cache dir inside the build, and a JVM where every URL connection is recorded
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(Utils.isOfflineMode()).isTrue();
        List<URI> attempts = new CopyOnWriteArrayList<>();
        ProxySelector original = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                attempts.add(uri);
                // a dead proxy: if DJL tried to download, it would fail here
                return List.of(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", 9)));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        });
        try {
            // when the engine loads and computes
            Engine engine = Engine.getEngine("PyTorch");
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = manager.create(new float[] {1f, 2f, 3f});
                float sum = x.mul(2).sum().getFloat();

                // then it is PyTorch 2.7.1 from the CPU jar, it computed, and no URL was opened
                assertThat(sum).isEqualTo(12f);
            }
            assertThat(engine.getVersion()).startsWith("2.7.1");
            assertThat(Path.of(Utils.getCacheDir().toString()))
                    .startsWith(Path.of(System.getProperty("DJL_CACHE_DIR")));
            assertThat(attempts).as("network attempts").isEmpty();
        } finally {
            ProxySelector.setDefault(original);
        }
    }
}
