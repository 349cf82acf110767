# Runs pcitest on epsim with the RTL RAM placed (RTL_SLAVES), then checks the report: pcitest
# passed (epsim's exit status) and the block saw reads and writes (its socket counters and the
# AXI checker's handshakes).
execute_process(
  COMMAND ${EPSIM} run --plugin ${PLUGIN} --workload pcitest --set soc.rtl_slaves=${RTL_SLAVES}
          --report ${REPORT}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "epsim exited with ${status}: pcitest did not pass")
endif()
file(READ ${REPORT} report)
string(JSON blocks LENGTH "${report}" rtl_slaves)
if(NOT blocks EQUAL 1)
  message(FATAL_ERROR "the report has ${blocks} rtl_slaves entries, expected 1")
endif()
foreach(counter reads writes bytes_read bytes_written)
  string(JSON n GET "${report}" rtl_slaves 0 ${counter})
  if(NOT n GREATER 0)
    message(FATAL_ERROR "the RTL RAM saw no traffic: ${counter} = ${n}")
  endif()
endforeach()
foreach(channel aw w b ar r)
  string(JSON n GET "${report}" rtl_slaves 0 handshakes ${channel})
  if(NOT n GREATER 0)
    message(FATAL_ERROR "the AXI checker counted no ${channel} handshakes at the RTL RAM")
  endif()
endforeach()
