/* placeholder */
#include "commands.h"
int do_iface(int argc, char **argv) { (void)argc; (void)argv; return 0; }
void usage_iface(FILE *out) { (void)out; }
