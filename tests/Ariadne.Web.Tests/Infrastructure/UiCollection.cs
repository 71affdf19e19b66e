namespace Ariadne.Web.Tests.Infrastructure;

/// <summary>The UI tests share one server and one browser; they only read.</summary>
[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiFixture>
{
    public const string Name = "web ui";
}
