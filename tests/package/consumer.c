/* Links the installed libsbx.so through find_package(sbx) and checks that
 * the library it loads is the one it was built against. */
#include <sbx/sbx.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    uint32_t abi = SBX_ABI_VERSION;
    if (sbx_negotiate_abi(&abi) != SBX_OK || abi != SBX_ABI_VERSION) {
        fprintf(stderr, "ABI negotiation failed\n");
        return 1;
    }
    if (!strstr(sbx_plugin_info(), "\"name\":\"sbx\"")) {
        fprintf(stderr, "unexpected plugin info: %s\n", sbx_plugin_info());
        return 1;
    }
    printf("%s\n", sbx_plugin_info());
    return 0;
}
