#include "app/man_page.hpp"

#include <sstream>

namespace zmesh::app {

std::string roff_escape(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";  // an ASCII hyphen-minus, so options can be searched and copied
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string man_page(const std::vector<Command>& commands, const std::string& version) {
  std::ostringstream out;
  out << ".TH ZMESH 1 \"\" \"zmesh " << roff_escape(version) << "\" \"User Commands\"\n"
      << ".SH NAME\nzmesh \\- a decentralized privacy overlay network\n"
      << ".SH SYNOPSIS\n.B zmesh\n.I COMMAND\n[\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n"
         "zmesh runs a node of a decentralized overlay: nodes find each other through a Kademlia DHT,\n"
         "link over TCP, WebSocket or WebRTC with a post\\-quantum hybrid handshake, and carry traffic\n"
         "through 2\\- or 3\\-hop onion circuits; a node with a SOCKS5 port is a client, one with an exit\n"
         "policy an exit. Each command below is also described by\n.B zmesh\n.I COMMAND\n.BR \\-\\-help .\n"
      << ".SH COMMANDS\n";
  for (const Command& c : commands) {
    out << ".SS " << roff_escape(c.name) << "\n" << roff_escape(c.summary) << ".\n.PP\n.nf\n"
        << roff_escape(c.usage) << ".fi\n";
  }
  out << ".SH EXIT STATUS\n" << roff_escape(kExitCodesHelp)
      << ".SH FILES\n"
         ".TP\n.I DATA_DIR/identity.key\n"
         "the node's long\\-term keys (mode 0600; \\-\\-data\\-dir, /var/lib/zmesh under systemd)\n"
         ".TP\n.I /etc/zmesh/zmesh.json\n"
         "the configuration the systemd unit reads (keys as in \\fBzmesh node \\-\\-help\\fR;\n"
         "an annotated example: docs/zmesh.example.json)\n"
      << ".SH SIGNALS\n"
         "SIGINT, SIGTERM: close every link cleanly and exit. SIGHUP: reopen \\-\\-log\\-file\n"
         "(ignored without one, so a closed terminal does not stop a node).\n"
      << ".SH SEE ALSO\n.BR curl (1),\n.BR systemd.exec (5)\n";
  return out.str();
}

}  // namespace zmesh::app
