package io.ballast.cli;

import io.ballast.runtime.Setting;
import java.util.List;

/** A command that runs a service: its {@code --help} lists the service's settings from their descriptors. */
interface ServiceCommand {

    List<Setting<?>> settings();
}
