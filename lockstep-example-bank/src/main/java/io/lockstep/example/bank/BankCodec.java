package io.lockstep.example.bank;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;

/**
 * The bank's binary formats, through Lockstep's strict big-endian reader and writer. A command
 * is a version byte, an operation byte and its fields; an output is one 8-byte balance. Decoding
 * checks every length and rejects trailing bytes, so a malformed request is refused with a
 * reason rather than misread.
 */
public final class BankCodec {
  /** The format's version; a replica refuses commands of another version. */
  public static final int VERSION = 1;
  private static final int OPEN = 1;
  private static final int DEPOSIT = 2;
  private static final int WITHDRAW = 3;
  private static final int TRANSFER = 4;
  private static final int BALANCE = 5;
  private static final int MAX_NAME_BYTES = 64;

  private BankCodec() {}

  /** A command's bytes. */
  public static byte[] encode(BankCommand command) {
    WireWriter out = new WireWriter().writeByte(VERSION);
    // Java 17 has no pattern switch; the interface is sealed, so these four are all.
    if (command instanceof BankCommand.Open o) {
      out.writeByte(OPEN).writeString(o.account());
    } else if (command instanceof BankCommand.Deposit d) {
      out.writeByte(DEPOSIT).writeString(d.account()).writeLong(d.amount());
    } else if (command instanceof BankCommand.Withdraw w) {
      out.writeByte(WITHDRAW).writeString(w.account()).writeLong(w.amount());
    } else {
      BankCommand.Transfer t = (BankCommand.Transfer) command;
      out.writeByte(TRANSFER).writeString(t.from()).writeString(t.to()).writeLong(t.amount());
    }
    return out.toByteArray();
  }

  /** The balance query's bytes. */
  public static byte[] encode(BankCommand.Balance query) {
    return new WireWriter().writeByte(VERSION).writeByte(BALANCE).writeString(query.account())
        .toByteArray();
  }

  /**
   * Decodes a command.
   *
   * @throws IllegalArgumentException naming what is wrong, if the bytes are not a command
   */
  public static BankCommand decodeCommand(byte[] bytes) {
    WireReader in = open(bytes, "bank command");
    int op = in.readByte();
    BankCommand command = switch (op) {
      case OPEN -> new BankCommand.Open(name(in, "account"));
      case DEPOSIT -> new BankCommand.Deposit(name(in, "account"), in.readLong());
      case WITHDRAW -> new BankCommand.Withdraw(name(in, "account"), in.readLong());
      case TRANSFER -> new BankCommand.Transfer(name(in, "from"), name(in, "to"), in.readLong());
      default -> throw in.malformed("unknown operation " + op);
    };
    in.end();
    return command;
  }

  /**
   * Decodes the balance query.
   *
   * @throws IllegalArgumentException naming what is wrong, if the bytes are not a query
   */
  public static BankCommand.Balance decodeQuery(byte[] bytes) {
    WireReader in = open(bytes, "bank query");
    int op = in.readByte();
    if (op != BALANCE) {
      throw in.malformed("unknown query " + op);
    }
    BankCommand.Balance query = new BankCommand.Balance(name(in, "account"));
    in.end();
    return query;
  }

  /** An output: one balance. */
  public static byte[] encodeBalance(long balance) {
    return new WireWriter().writeLong(balance).toByteArray();
  }

  /** Reads an output written by {@link #encodeBalance}. */
  public static long decodeBalance(byte[] bytes) {
    WireReader in = new WireReader(bytes, "bank balance");
    long balance = in.readLong();
    in.end();
    return balance;
  }

  private static WireReader open(byte[] bytes, String what) {
    WireReader in = new WireReader(bytes, what);
    int version = in.readByte();
    if (version != VERSION) {
      throw in.malformed("version " + version + ", this replica reads version " + VERSION);
    }
    return in;
  }

  private static String name(WireReader in, String field) {
    return in.readString(field, MAX_NAME_BYTES);
  }
}
