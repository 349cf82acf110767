// Address lookup of the iATU: which enabled region claims an address, and the translated
// address. Combinational; one instance per address channel. The table is searched only while
// `en` is high (the cycle its path accepts a request, the only cycle the result is used); with
// `en` low the outputs read as a miss. Same results, and a Verilated model that does not search
// eight regions on every evaluation.
//
// Models: outbound (INBOUND = 0) and inbound (INBOUND = 1) matching exactly as the DWC iATU
// does it: a region matches when it is enabled and base <= addr <= limit (limit inclusive);
// an inbound region matches only a request whose TLP Type field equals its CTRL1.TYPE;
// inbound regions with BAR_MODE_ENABLE match on the BAR number instead (and translate to
// target + offset inside the BAR), and with FUNC_NUM_MATCH_EN also on the function number
// (CTRL1.FUNC_NUM, 5 bits); the lowest matching index wins.
// Does not model: CFG shift mode, message regions (type is reported, the address is translated
// as for memory).
module iatu_match #(
    parameter int unsigned REGIONS = 8,
    parameter bit INBOUND = 1'b0,
    parameter int unsigned INDEX_W = 8
) (
    input logic [REGIONS-1:0] enabled,
    input logic [REGIONS-1:0][63:0] base,
    input logic [REGIONS-1:0][63:0] limit,
    input logic [REGIONS-1:0][63:0] target,
    input logic [REGIONS-1:0][4:0] rtype,
    input logic [REGIONS-1:0] bar_mode,
    input logic [REGIONS-1:0][2:0] bar,
    input logic [REGIONS-1:0] func_match,
    input logic [REGIONS-1:0][4:0] func,

    input logic        en,            // search the table (the path accepts a request)
    input logic [63:0] addr,
    input logic        bar_valid,     // inbound: the request hit a BAR
    input logic [ 2:0] bar_hit,       // inbound: which BAR
    input logic [ 5:0] bar_size_log2, // inbound: log2 of the BAR size (offset = addr mod size)
    input logic [ 4:0] func_hit,      // inbound: function number of the request
    input logic [ 4:0] tlp_type,      // inbound: TLP header Type field of the request

    output logic               hit,
    output logic [INDEX_W-1:0] index,
    output logic [        4:0] hit_type,
    output logic [       63:0] addr_out
);
  wire [63:0] bar_offset = addr & ((64'd1 << bar_size_log2) - 64'd1);

  always_comb begin
    hit = 1'b0;
    index = '0;
    hit_type = '0;
    addr_out = addr;
    if (en) begin
      // Highest index first, so that the lowest matching index is the one left standing.
      for (int i = int'(REGIONS) - 1; i >= 0; i--) begin
        if (enabled[i] && (!INBOUND || rtype[i] == tlp_type)) begin
          if (INBOUND && bar_mode[i]) begin
            if (bar_valid && bar[i] == bar_hit && (!func_match[i] || func[i] == func_hit)) begin
              hit = 1'b1;
              index = INDEX_W'(i);
              hit_type = rtype[i];
              addr_out = target[i] + bar_offset;
            end
          end else if (addr >= base[i] && addr <= limit[i] &&
                       (!INBOUND || !func_match[i] || func[i] == func_hit)) begin
            hit = 1'b1;
            index = INDEX_W'(i);
            hit_type = rtype[i];
            addr_out = target[i] + (addr - base[i]);
          end
        end
      end
    end
  end
endmodule
