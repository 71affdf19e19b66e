namespace Ariadne.Analysis.Tests;

public sealed class ProjectSmokeTests
{
    [Fact]
    public void The_analysis_assembly_loads()
    {
        Assert.Equal("Ariadne.Analysis", typeof(Ariadne.Analysis.AnalysisAssembly).Assembly.GetName().Name);
    }
}
