/* Surviving the daemon: init outlives the daemon's end of its control socket (init_adopt.c). */
#ifndef SBX_INIT_ADOPT_H
#define SBX_INIT_ADOPT_H

/* The control socket's peer is gone: makes a fresh pair, its own end on control_fd, the
   daemon's end on SBX_INIT_ADOPT_FD for the next daemon to take. -1 + errno if it cannot. */
int sbx_init_rearm(int control_fd);

/* SBX_MSG_ADOPT arrived: the new daemon holds its end, so init lets go of its copy (a daemon
   that dies later is seen as EOF again) and answers SBX_MSG_ADOPTED. */
void sbx_init_adopted(int control_fd);

#endif
