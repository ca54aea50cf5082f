package io.ballast.cli;

import picocli.CommandLine.IVersionProvider;

final class BallastVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = BallastVersion.class.getPackage().getImplementationVersion();
        return new String[] {"ballast " + (v == null ? "dev" : v)};
    }
}
