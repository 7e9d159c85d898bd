package io.shopflow.marketing.sidecars;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DjlDeviceTest {
  @BeforeAll
  static void configure() {
    Djl.configure();
  }

  @AfterEach
  void clearChoice() {
    System.clearProperty(Djl.DEVICE_PROPERTY);
  }

  @Test
  void autoIsPyTorchsOwnChoiceAndCpuIsAlwaysTheCpu() {
    assertThat(Djl.parseDevice("auto", 1, Device.gpu(), "2.7.1")).isEqualTo(Device.gpu());
    assertThat(Djl.parseDevice("auto", 0, Device.cpu(), "2.7.1")).isEqualTo(Device.cpu());
    assertThat(Djl.parseDevice("cpu", 2, Device.gpu(), "2.7.1")).isEqualTo(Device.cpu());
  }

  @Test
  void namesAGpuByIndexWhenLibtorchSeesIt() {
    assertThat(Djl.parseDevice("gpu", 1, Device.gpu(), "2.7.1")).isEqualTo(Device.gpu(0));
    assertThat(Djl.parseDevice("gpu:1", 2, Device.gpu(), "2.7.1")).isEqualTo(Device.gpu(1));
  }

  @Test
  void refusesAGpuThatLibtorchCannotSeeAndSaysWhatToChange() {
    assertThatThrownBy(() -> Djl.parseDevice("gpu", 0, Device.cpu(), "2.7.1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sees 0 GPU(s)")
        .hasMessageContaining("PYTORCH_LIBRARY_PATH")
        .hasMessageContaining("--device cpu");
    assertThatThrownBy(() -> Djl.parseDevice("gpu:1", 1, Device.gpu(), "2.7.1"))
        .hasMessageContaining("sees 1 GPU(s)");
    assertThatThrownBy(() -> Djl.parseDevice("tpu", 0, Device.cpu(), "2.7.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auto, cpu, gpu or gpu:N");
  }

  @Test
  void aDeviceLibtorchCannotRunFailsTheSelfCheckWithWhatToFix() {
    Engine engine = Engine.getEngine("PyTorch");
    Assumptions.assumeTrue(engine.getGpuCount() == 0, "this host's libtorch drives a GPU");
    assertThatThrownBy(() -> Djl.selfCheck(engine, Device.gpu(0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("failed its self-check on gpu(0)")
        .hasMessageContaining("runs libtorch " + engine.getVersion() + " only");
  }

  @Test
  void theChosenDeviceRunsTheSelfCheckAndHoldsTheNetworks() {
    System.setProperty(Djl.DEVICE_PROPERTY, "cpu");
    assertThat(Djl.device()).isEqualTo(Device.cpu());
    if (Engine.getEngine("PyTorch").getGpuCount() == 0) {
      System.setProperty(Djl.DEVICE_PROPERTY, "gpu");
      assertThatThrownBy(Djl::device).hasMessageContaining("GPU(s)");
    }
  }
}
