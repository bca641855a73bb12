package io.lockstep.sim;

import io.lockstep.order.Ready;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;

/** Where a replica's client-bound outputs go once they may leave the replica. */
interface ClientRouter {
  void reply(int replica, Reply reply);

  void read(int replica, QueryResult result);

  void redirect(int replica, Ready.Redirect redirect);
}
