// Linux's epoll and eventfd, which the Glibc module does not include (header-only: glibc provides them).
#include <sys/epoll.h>
#include <sys/eventfd.h>
