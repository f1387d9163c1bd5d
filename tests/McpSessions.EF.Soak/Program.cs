using McpSessions.EF.Soak;

// scripts/soak.sh runs this program:
//   migrate --connection CS --key HEX                      applies the schema once, before the workers start
//   work --id N --connection CS --redis HOST:PORT --key HEX --seconds S --dir DIR [--tasks 16] [--think-ms 20]
//                                                          one worker process; writes DIR/result-N.json
//   report --dir DIR --seconds S                           the summary over every worker, the samples and the events
return args switch
{
    ["migrate", .. var rest] => await SoakWorker.MigrateAsync(SoakOptions.Parse(rest)),
    ["work", .. var rest] => await SoakWorker.RunAsync(SoakOptions.Parse(rest)),
    ["report", .. var rest] => SoakReport.Run(SoakOptions.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: McpSessions.EF.Soak migrate|work|report [--option value]... (see scripts/soak.sh)");
    return 2;
}
