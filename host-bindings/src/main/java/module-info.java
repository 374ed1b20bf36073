/**
 * Atoll's host bindings: capabilities a tool declares in its manifest and the host grants, deny by
 * default. For now the egress policy that the {@code fetch} binding applies to every request target.
 */
module dev.atoll.host.bindings {
    exports dev.atoll.host.bindings;
}
