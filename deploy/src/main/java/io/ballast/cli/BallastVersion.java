package io.ballast.cli;

import picocli.CommandLine.IVersionProvider;

final class BallastVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"ballast " + current()};
    }

    /** The jar's version, or "dev" when run from classes. */
    static String current() {
        String v = BallastVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
