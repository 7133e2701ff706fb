/* <sbx/sbx.h> alone, twice: it brings everything it needs and is guarded.
 * Compiled at test time as C89, C11, C++11 and C++20 (CMakeLists.txt). */
#include <sbx/sbx.h>
#include <sbx/sbx.h>
